"""Django's PostgreSQL backend with one change for this system's writes (compiler.py)."""
