"""``python -m scoring`` runs the ``cloudscore`` command."""

from .cli import main

raise SystemExit(main())
