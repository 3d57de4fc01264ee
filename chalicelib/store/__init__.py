"""DynamoDB adapters: items, repositories, the unit of work, idempotency records, cursors."""
