/*
 * oci.h — the OCI runtime command line (oci.c).
 */
#ifndef STEPBOX_OCI_H
#define STEPBOX_OCI_H

/* If ARGV is one of the OCI runtime's command lines (create, start,
 * state, kill, delete, exec --process, pause, resume, update, ps,
 * events, run, list, spec, features, with runc's global options), run it
 * and exit; one of runc's that stepbox lacks (checkpoint, restore) is an
 * error, exit 1; else return. */
void oci_dispatch(int argc, char **argv);

#endif
