"""The case process's models: proxies of viewflow's Process and Task (workflows.process)."""

from .process import CaseProcess, CaseTask

__all__ = ["CaseProcess", "CaseTask"]
