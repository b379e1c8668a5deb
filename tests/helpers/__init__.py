"""Code the tests share that is not a test (data generators); not part of crossmargin."""
