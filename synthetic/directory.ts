import { createRandom } from './random';
import { adultNames, familyNames, streets, towns } from './names';

/** Organisations and staff of the fictional county of Northshire. Fixed: the same in every seed. */
export interface Practice {
  odsCode: string;
  name: string;
  phone: string;
}
export interface School {
  urn: string;
  name: string;
  phase: 'primary' | 'secondary';
  dsl: { name: string; phone: string };
}
export interface Landlord {
  id: string;
  name: string;
}
export interface Team {
  id: string;
  name: string;
}
export interface Worker {
  id: string;
  login: string;
  name: string;
  phone: string;
  teamId: string;
  role: 'social-worker' | 'team-manager';
}
export interface HealthVisitor {
  id: string;
  name: string;
  phone: string;
}

export const localAuthority = { code: 'NS001', name: 'Northshire County Council', dutyPhone: '01632 960000' };
export const hospitals = ['Northshire General Hospital', 'Eastbrook Community Hospital', "St Anne's Children's Hospital"];

const phone = (n: number) => `01632 96${String(n).padStart(4, '0')}`;

export function createDirectory() {
  const random = createRandom(424242);
  const person = () => `${random.pick(adultNames)} ${random.pick(familyNames)}`;
  const practices: Practice[] = [{ odsCode: 'Y00001', name: 'Riverside Surgery', phone: phone(101) }];
  for (let i = 2; i <= 20; i++) {
    practices.push({
      odsCode: `Y000${String(i).padStart(2, '0')}`,
      name: `${random.pick(streets).split(' ')[0]} ${random.pick(['Medical Centre', 'Surgery', 'Health Centre', 'Family Practice'])} ${i}`,
      phone: phone(100 + i),
    });
  }
  const schools: School[] = [{ urn: '100001', name: 'Northshire Primary School', phase: 'primary', dsl: { name: 'Farah Khan', phone: phone(201) } }];
  for (let i = 2; i <= 30; i++) {
    const phase = i <= 22 ? 'primary' : 'secondary';
    const town = towns[i % towns.length] as string;
    schools.push({
      urn: String(100000 + i),
      name: `${town} ${phase === 'primary' ? random.pick(['Primary School', 'Infant and Junior School', 'Church of England Primary']) : random.pick(['Academy', 'High School', 'Community College'])} ${i}`,
      phase,
      dsl: { name: person(), phone: phone(200 + i) },
    });
  }
  const landlords: Landlord[] = [
    { id: 'NH', name: 'Northshire Homes' },
    { id: 'EHA', name: 'Eastbrook Housing Association' },
    { id: 'MCT', name: 'Millford Community Trust' },
  ];
  const teams: Team[] = [
    { id: 'T-AA', name: 'Assessment A' },
    { id: 'T-AB', name: 'Assessment B' },
    { id: 'T-CIC', name: 'Children in Care' },
    { id: 'T-CP', name: 'Child Protection' },
  ];
  const workers: Worker[] = [
    { id: 'W001', login: 'sw.jones', name: 'Sam Jones', phone: phone(301), teamId: 'T-AA', role: 'social-worker' },
    { id: 'W002', login: 'sw.ahmed', name: 'Priya Ahmed', phone: phone(302), teamId: 'T-CIC', role: 'social-worker' },
    { id: 'W003', login: 'tm.patel', name: 'Ravi Patel', phone: phone(303), teamId: 'T-AA', role: 'team-manager' },
  ];
  for (let i = 4; i <= 24; i++) {
    const name = person();
    workers.push({
      id: `W${String(i).padStart(3, '0')}`,
      login: `sw.${name.split(' ')[1]!.toLowerCase()}${i}`,
      name,
      phone: phone(300 + i),
      teamId: teams[i % teams.length]!.id,
      role: 'social-worker',
    });
  }
  const healthVisitors: HealthVisitor[] = Array.from({ length: 8 }, (_, i) => ({ id: `HV${i + 1}`, name: person(), phone: phone(400 + i) }));
  return { practices, schools, landlords, teams, workers, healthVisitors };
}
export type Directory = ReturnType<typeof createDirectory>;
