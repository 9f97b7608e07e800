"""`make bench`: cold start, warm overhead, artifact sizes and DynamoDB items read at scale, each as a
ratio against a baseline measured in the same run."""
