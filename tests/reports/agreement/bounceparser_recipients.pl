#!/usr/bin/perl
# Mail::DeliveryStatus::BounceParser's reading of each bounce file named on the command
# line, one line per failed recipient it names: file, address (tab-separated). Debian's
# libmail-deliverystatus-bounceparser-perl. Messages it does not take for bounces give no line.
use strict;
use warnings;
use File::Basename qw(basename);
use Mail::DeliveryStatus::BounceParser;

for my $path (@ARGV) {
  open my $fh, '<', $path or die "$path: $!";
  my $message = do { local $/; <$fh> };
  close $fh;
  my $bounce = eval { Mail::DeliveryStatus::BounceParser->new($message) };
  next unless $bounce && $bounce->is_bounce;
  for my $report ($bounce->reports) {
    printf "%s\t%s\n", basename($path), lc($report->get('email') // '');
  }
}
