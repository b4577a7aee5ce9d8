/* SPDX-License-Identifier: MIT */
/* master - the Tern supervisor. */
int master_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	return master_main(argc, argv);
}
