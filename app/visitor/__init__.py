"""The visitor's own side: their state, kept only in their own encrypted cookie, and the
data receipt that tells them, in words, exactly which counters their visit added 1 to."""
