"""What the case layer announces to the layers above it.

`stage_changed` is sent inside the transaction of every change of a case's stage, and when a
case is opened: the inter-agency process (workflows) connects to it in its AppConfig.ready(),
so that cases never import the process and both commit, or neither.
"""

from django.dispatch import Signal

# Sent with `case`: the case row, locked, just opened or moved to another stage; and `opened`:
# True when this transaction has just inserted it (it has no process yet, and nobody else can
# see it, so the receiver need not lock it nor look for a running process).
stage_changed = Signal()
