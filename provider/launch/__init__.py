"""The launch side: how a start of `terraform-provider-oci` reaches the plugin, and the commands people
run beside it. `cli` (the command line), `serve` (the plugin served in this process), `handover` (the
launcher's side of the warm server), `warm` (the warm server) and `warm_cli` (`warm`: start, status,
stop), `install` (the filesystem mirror). Nothing of Terraform's surfaces lives here; every launch
imports this package, so it stays empty."""
