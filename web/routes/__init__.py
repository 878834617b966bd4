"""One APIRouter per area of the site."""
