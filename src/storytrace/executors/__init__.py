"""Executors run the same pure stage functions in different places: ``PipelineExecutor``
(``base``) is the protocol ``pipeline.analyze`` runs, ``LocalExecutor`` a pool of local
processes, ``spark.SparkExecutor`` a Spark session."""

from storytrace.executors.base import PipelineExecutor, RunContext, Staged
from storytrace.executors.local import LocalExecutor

__all__ = ["LocalExecutor", "PipelineExecutor", "RunContext", "Staged"]
