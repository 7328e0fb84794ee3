/* main.c - wires the command line to the program; no logic lives here.
 * Alone at the top of src/: it includes app/ and ui/, nothing includes
 * it. */
#include "config.h"

#include "app/app.h"
#include "ui/ui.h"

int main(int argc, char **argv)
{
	return app_main(argc, argv, ui_main);
}
