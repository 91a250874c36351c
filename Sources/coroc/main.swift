import CorocDriver
print("coroc")
