"""Every table, one module per context; importing this package registers them all."""

from persistence.tables import access as access
from persistence.tables import activity as activity
from persistence.tables import background as background
from persistence.tables import customers as customers
from persistence.tables import engagement as engagement
from persistence.tables import imports as imports
from persistence.tables import loyalty as loyalty
from persistence.tables import orders as orders
from persistence.tables import scoring as scoring
from persistence.tables import segments as segments
from persistence.tables import tags as tags
from persistence.tables import tickets as tickets
