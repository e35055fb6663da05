"""Every table, one module per context; importing this package registers them all."""

from persistence.tables import access as access
