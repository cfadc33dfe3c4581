import { openAgencyDatabase, type AgencyDatabase } from '../../shared';

describe('embedded databases in memory', () => {
  const opened: AgencyDatabase[] = [];
  afterAll(async () => {
    for (const database of opened) await database.close();
  });
  const open = async () => {
    const database = await openAgencyDatabase({});
    opened.push(database);
    return database;
  };

  it('each start empty and stay apart, however many are opened, and at once', async () => {
    const [first, second, third] = await Promise.all([open(), open(), open()]);
    const fourth = await open();
    const all = [first, second, third, fourth];
    for (const [i, database] of all.entries()) {
      expect(await database.owner.query("SELECT to_regclass('public.marks') AS found")).toEqual([{ found: null }]);
      await database.owner.exec(`CREATE TABLE marks (n int); INSERT INTO marks VALUES (${i})`);
    }
    for (const [i, database] of all.entries()) expect(await database.owner.query('SELECT n FROM marks')).toEqual([{ n: i }]);
  });
});
