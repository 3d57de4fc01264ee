"""Pure business rules of the credits service: no I/O, no clock reads."""
