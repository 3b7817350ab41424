"""What the referrals layer announces to the layers above it.

`referral_moved` is sent inside the transaction of every change of a referral's status, with
the referral row locked and saved: a layer above (providers, which counts the places a
referral to a service provider takes) connects to it in its AppConfig.ready(), so that
referrals never import it and both commit, or neither. A receiver that raises undoes the move.
"""

from django.dispatch import Signal

# Sent with `referral` (locked, saved) and `action`: accept, reject, complete or withdraw.
referral_moved = Signal()
