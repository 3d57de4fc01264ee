"""QuickBooks Online client layer; import-light: quickbooks/intuitlib/boto3 load only inside the modules that need them."""
