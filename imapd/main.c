/* TEMPORARY */
int main(void) { return 0; }
