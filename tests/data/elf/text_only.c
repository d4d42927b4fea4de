// Functions without SEC(): everything lands in .text, and each global function is a
// program of its own (the section name says nothing about the type).
int double_it(int x) { return x * 2; }
int negate(int x) { return -x; }
