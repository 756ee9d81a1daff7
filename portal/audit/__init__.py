"""The audit log: the record of processing activities (UU PDP Pasal 31).

Below accounts and the workflow: both append to it, it imports neither.
"""
