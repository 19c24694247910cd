"""``python -m <package>.testing [--port N] [--host H]``: run the emulator until Ctrl-C."""

from ._serve import main

raise SystemExit(main())
