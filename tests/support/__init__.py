"""What several test folders share: plain helpers and fixture modules.

Test modules import helpers from here, never from a conftest or from another folder's test
module; fixtures reach every test through ``pytest_plugins`` in tests/conftest.py.
"""
