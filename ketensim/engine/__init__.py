"""The simulation engine: the only package that imports SimPy."""

from ketensim.engine.run import run_replication, sample_times

__all__ = ["run_replication", "sample_times"]
