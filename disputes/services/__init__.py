"""Writes of the disputes chapter (DSP-1 … DSP-6, PAY-5, PAY-6, VIO-1), one module per stage of a case."""
