"""Every table, one module per context; importing this package registers them all."""

from persistence.tables import access as access  # noqa: F401
from persistence.tables import activity as activity  # noqa: F401
from persistence.tables import customers as customers  # noqa: F401
from persistence.tables import loyalty as loyalty  # noqa: F401
from persistence.tables import orders as orders  # noqa: F401
