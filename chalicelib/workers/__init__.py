"""Event entry points beside the routes (SQS, DynamoDB stream, schedule): decode, call a sync use case, report."""
