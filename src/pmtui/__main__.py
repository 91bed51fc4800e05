"""``python -m pmtui``: the same command line as the ``pmtui`` script (:mod:`pmtui.cli.main`)."""

import sys

from pmtui.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
