"""Staff screens of the action plan, split by concept.

`copil` also extends the COPIL meeting and decision admins of `programme` (plan validation,
the actions a decision concerns), since dependencies run from `actions` to `programme`.
"""

from . import action, campaigns, copil, milestones, related  # noqa: F401
