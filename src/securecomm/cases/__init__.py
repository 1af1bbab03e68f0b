"""ERO case management: one case per matched booking, custody, hearings and outcomes."""
