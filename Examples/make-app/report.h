void report(const char *what, long value);
