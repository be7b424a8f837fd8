#!/usr/bin/perl
# Sisimai's reading of each bounce file named on the command line, one line per failed
# recipient: file, address, reason, status (tab-separated). Debian's libsisimai-perl.
use strict;
use warnings;
use File::Basename qw(basename);
use Sisimai;

for my $path (@ARGV) {
  my $verdicts = Sisimai->make($path, 'delivered' => 1) // [];
  for my $v (@$verdicts) {
    printf "%s\t%s\t%s\t%s\n", basename($path), lc $v->recipient->address, $v->reason, $v->deliverystatus // '';
  }
}
