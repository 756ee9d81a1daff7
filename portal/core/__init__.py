"""The neutral core every layer may use and that uses none of them.

Vocabularies (privacy classes, licences, frequencies, release statuses), time helpers, the
suppressed-cell marker and the site's identity live here, below sources, statistics,
privacy, datasets and the faces. Nothing in this package imports another portal package
except portal.extensions-free helpers of its own.
"""
