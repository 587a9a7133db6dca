# Deliberately empty. On the server this module holds the `Demisto` class that talks to the server over
# stdin/stdout; locally `demistomock` plays that part. The real module also swaps in a `print` that calls
# a `demisto` global which does not exist outside the server, so every print() would raise NameError.
# This empty stand-in keeps any `from DemistoClassApiModule import *` harmless (demisto-sdk does the same).
