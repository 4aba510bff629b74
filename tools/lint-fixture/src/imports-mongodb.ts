// A domain lib must not touch the database.
import { MongoClient } from 'mongodb';

export const db = MongoClient;
