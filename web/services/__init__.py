"""Services: keyword-only functions taking the database session; the only place queries live."""
