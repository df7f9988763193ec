"""The standalone app's entry point: the ``haikei`` command; started with no arguments (a double click on the app,
the Start menu), the window."""

import sys

if len(sys.argv) >= 3 and sys.argv[1] == "-c":
    # A frozen app has no interpreter to run ``sys.executable -c CODE`` (what ``haikei doctor`` does to probe Qt in a
    # separate process): run the code here, as python -c would.
    code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
    exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    sys.exit(0)

from haikei.__main__ import main

sys.exit(main(sys.argv[1:] or ["gui"]))
