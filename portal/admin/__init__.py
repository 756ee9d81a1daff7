"""Admin pages for produsen data and walidata.

``bp`` is defined in portal.admin.blueprint; importing the route modules here adds their
routes to it (the app factory imports ``portal.admin.bp``).
"""
from portal.admin import policy, quality, registers, users, views  # noqa: F401  (each adds its routes to bp)
from portal.admin.blueprint import bp

__all__ = ["bp"]
