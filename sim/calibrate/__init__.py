"""Calibration to reported periods, forecasts with intervals, and backtests (``scaleup calibrate``).

:func:`calibrate` is the one entry point; :mod:`~sim.calibrate.observed` reads the reported
figures, :mod:`~sim.calibrate.spec` the calibration file, :mod:`~sim.calibrate.fit` fits,
:mod:`~sim.calibrate.forecast` forecasts through the sweep engine and
:mod:`~sim.calibrate.backtest` scores held-out periods.
"""

from sim.calibrate.api import CalibrationResult, calibrate

__all__ = ["CalibrationResult", "calibrate"]
