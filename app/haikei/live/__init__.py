"""The live, threaded driver of the pipeline: what the GUI and the run command use.

:class:`Engine` runs capture, segmentation and compositing on three threads; :class:`IdleController`
pauses it while no app watches; :class:`PauseReason` says why it is paused and :class:`OutputStatus`
where its frames go.
"""

from haikei.live.engine import Engine, OutputStatus
from haikei.live.idle import IdleController
from haikei.live.status import PauseReason

__all__ = ["Engine", "IdleController", "OutputStatus", "PauseReason"]
