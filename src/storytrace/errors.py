"""One documented exception hierarchy; every error carries a code and says what to do.

The command line shows an error as one line, ``error[CODE]: message`` (never a traceback).
Codes by range: ST0xx the system (a file-system failure no command foresaw), ST1xx inputs
and settings, ST2xx the store, ST3xx the shipped models, ST4xx the executors.
"""

from __future__ import annotations


class StorytraceError(Exception):
    """Base of every error storytrace raises on purpose."""

    code = "ST000"


class FileSystemError(StorytraceError):
    """A file-system failure the command did not foresee (a disk full, a folder removed
    underneath it): the operating system's message, with the path."""

    code = "ST001"


class InputError(StorytraceError):
    """An input cannot be read (a missing path, a binary file, a malformed line)."""

    code = "ST100"


class NothingToAnalyseError(StorytraceError):
    """No document in the batch could be read."""

    code = "ST101"


class ConfigError(StorytraceError):
    """A setting is out of its range or of the wrong type (checked before anything is
    written)."""

    code = "ST102"


class StoreError(StorytraceError):
    """The store file cannot be opened, is locked by another writer, or is not ours."""

    code = "ST200"


class StoreBusyError(StoreError):
    """Another process is writing to the store."""

    code = "ST201"


class ModelError(StorytraceError):
    """A shipped model is missing or its weights do not match the pinned hash."""

    code = "ST300"


class WorkerError(StorytraceError):
    """A worker process died while it worked (killed by the system, e.g. out of memory)."""

    code = "ST400"


class SparkUnavailableError(StorytraceError):
    """The Spark executor cannot start here: pyspark is not installed, or no Java 17 runtime
    was found (``storytrace.executors.spark.spark_problem`` says which)."""

    code = "ST401"
