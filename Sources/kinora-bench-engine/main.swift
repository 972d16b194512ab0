print("kinora-bench-engine: placeholder")
