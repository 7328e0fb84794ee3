/* main.c - wires the command line to the program; no logic lives here. */
#include "config.h"

#include "app/app.h"
#include "ui/ui.h"

int main(int argc, char **argv)
{
	return app_main(argc, argv, ui_main);
}
