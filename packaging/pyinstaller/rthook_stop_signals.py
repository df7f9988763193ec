"""The standalone app's first runtime hook: a stop signal while the app still starts (its other runtime hooks
load Qt, its modules import) ends it with one line, as it does later, not with a traceback or a crash in Qt's
start-up (haikei.stopping)."""

import signal

from haikei.stopping import STOP_SIGNALS, stop_now

for _sig in STOP_SIGNALS:
    signal.signal(_sig, stop_now)
