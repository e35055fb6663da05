"""Every table, one module per context; importing this package registers them all."""

from persistence.tables import access as access  # noqa: F401
from persistence.tables import activity as activity  # noqa: F401
from persistence.tables import background as background  # noqa: F401
from persistence.tables import customers as customers  # noqa: F401
from persistence.tables import engagement as engagement  # noqa: F401
from persistence.tables import imports as imports  # noqa: F401
from persistence.tables import loyalty as loyalty  # noqa: F401
from persistence.tables import orders as orders  # noqa: F401
from persistence.tables import scoring as scoring  # noqa: F401
from persistence.tables import segments as segments  # noqa: F401
from persistence.tables import tags as tags  # noqa: F401
from persistence.tables import tickets as tickets  # noqa: F401
