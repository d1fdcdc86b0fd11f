"""Executors run the same pure stage functions in different places (local processes today)."""

from storytrace.executors.local import LocalExecutor

__all__ = ["LocalExecutor"]
