"""The opportunities forms, one module per part (browse, manage, record)."""
