"""Errors of the release workflow."""


class WorkflowError(Exception):
    """A transition that the release's state (or the rules) does not allow."""
