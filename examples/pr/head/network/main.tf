variable "office_cidr" {
  type = string
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "SSH from the office, and (temporarily) from anywhere"

  ingress {
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.office_cidr, "0.0.0.0/0"]
  }
}
