// A domain lib must not depend on the framework.
import { Injectable } from '@nestjs/common';

export const framework = Injectable;
